/** A figure for a result line, with a fixed number of decimals. */
export const fmt = (n: number, digits = 1): string => Number(n).toFixed(digits);
