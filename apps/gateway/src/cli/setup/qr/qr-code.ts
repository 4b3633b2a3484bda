import QRCode from 'qrcode';

/** The modules of an encoded QR code, as the terminal renderer draws them. */
export interface QrMatrix {
  version: number;
  size: number;
  /** `dark[row][column]`. */
  dark: boolean[][];
}

export type QrEncodeResult = { ok: true; qr: QrMatrix } | { ok: false; code: 'qr_too_long'; message: string };

/**
 * Encodes a link (level M, the smallest version that holds it) with the `qrcode` package; a text too long
 * for any QR code comes back as a result, not a throw, so the wizard can show the link instead.
 */
export function encodeQr(text: string): QrEncodeResult {
  let code: QRCode.QRCode;
  try {
    code = QRCode.create(text, { errorCorrectionLevel: 'M' });
  } catch (error) {
    return { ok: false, code: 'qr_too_long', message: (error as Error).message };
  }
  const { size } = code.modules;
  const dark = Array.from({ length: size }, (_, r) =>
    Array.from({ length: size }, (_, c) => code.modules.get(r, c) === 1),
  );
  return { ok: true, qr: { version: code.version, size, dark } };
}
