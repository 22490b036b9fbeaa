export const placeholder = 'ralio'
