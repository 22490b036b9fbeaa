export const placeholder = 'relynt'
