export const placeholder = 'sandbox'
