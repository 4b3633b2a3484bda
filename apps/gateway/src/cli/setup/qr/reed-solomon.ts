// Reed–Solomon error correction over GF(256) with the QR polynomial x^8 + x^4 + x^3 + x^2 + 1.

const QR_FIELD_POLY = 0x11d;

/** Product in GF(256), shift-and-add so no log tables are needed. */
export function gfMultiply(x: number, y: number): number {
  let z = 0;
  for (let bit = 7; bit >= 0; bit--) {
    z = (z << 1) ^ ((z >>> 7) * QR_FIELD_POLY);
    z ^= ((y >>> bit) & 1) * x;
  }
  return z;
}

/** Coefficients (highest first, leading 1 left out) of the product of (x − α^i) for i < degree. */
export function generatorPolynomial(degree: number): number[] {
  const coefficients = new Array<number>(degree).fill(0);
  coefficients[degree - 1] = 1;
  let root = 1;
  for (let i = 0; i < degree; i++) {
    for (let j = 0; j < degree; j++) {
      coefficients[j] = gfMultiply(coefficients[j] ?? 0, root);
      if (j + 1 < degree) coefficients[j] = (coefficients[j] ?? 0) ^ (coefficients[j + 1] ?? 0);
    }
    root = gfMultiply(root, 2);
  }
  return coefficients;
}

/** The error-correction codewords of one block: the remainder of data·x^n divided by the generator. */
export function errorCorrection(data: readonly number[], degree: number): number[] {
  const generator = generatorPolynomial(degree);
  const remainder = new Array<number>(degree).fill(0);
  for (const byte of data) {
    const factor = byte ^ (remainder.shift() ?? 0);
    remainder.push(0);
    for (let i = 0; i < degree; i++)
      remainder[i] = (remainder[i] ?? 0) ^ gfMultiply(generator[i] ?? 0, factor);
  }
  return remainder;
}
