import crypto from 'node:crypto';
import * as der from './der.js';

/**
 * A self-signed TLS certificate for one login over https://127.0.0.1 or https://localhost (a
 * redirect URI an app may register where plain http is refused). Made in-process with
 * node:crypto: an ECDSA P-256 key that lives only in this process's memory (never written,
 * never printed), a certificate for 127.0.0.1 and localhost that expires shortly after the login
 * could, so a copy of it is worth nothing later. No authority signs it, so the browser warns
 * once; the fingerprint lets a careful user check it is this one.
 */
export interface LoopbackCertificate {
  /** PEM, for https.createServer. */
  cert: string;
  /** PEM of the private key: memory only. */
  key: string;
  /** SHA-256 of the DER certificate, colon-separated hex, as browsers show it. */
  fingerprint256: string;
  notBefore: number;
  notAfter: number;
}

const OID = {
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
  commonName: '2.5.4.3',
  basicConstraints: '2.5.29.19',
  keyUsage: '2.5.29.15',
  extKeyUsage: '2.5.29.37',
  subjectAltName: '2.5.29.17',
  serverAuth: '1.3.6.1.5.5.7.3.1',
};

/** Browsers and this machine share a clock, but allow for a little drift all the same. */
const BACKDATE_MS = 5 * 60_000;

export function createLoopbackCertificate(args: { now: number; lifetimeMs: number }): LoopbackCertificate {
  const { privateKey, publicKey } = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const notBefore = args.now - BACKDATE_MS;
  const notAfter = args.now + args.lifetimeMs;
  const signatureAlgorithm = der.sequence(der.objectIdentifier(OID.ecdsaWithSha256));
  const name = der.sequence(der.set(der.sequence(der.objectIdentifier(OID.commonName), der.utf8String('fathom-sync one-time login (127.0.0.1)'))));
  const extension = (oid: string, critical: boolean, value: Buffer) =>
    der.sequence(der.objectIdentifier(oid), ...(critical ? [der.boolean(true)] : []), der.octetString(value));
  const tbs = der.sequence(
    der.explicit(0, der.unsignedInteger(Buffer.from([2]))), // v3
    der.unsignedInteger(crypto.randomBytes(16)),
    signatureAlgorithm,
    name,
    der.sequence(der.time(notBefore), der.time(notAfter)),
    name,
    publicKey.export({ type: 'spki', format: 'der' }),
    der.explicit(
      3,
      der.sequence(
        // Not a CA: it vouches for nothing but this listener.
        extension(OID.basicConstraints, true, der.sequence()),
        // digitalSignature only (bit 0): the one use an ECDHE handshake makes of it.
        extension(OID.keyUsage, true, der.tlv(0x03, Buffer.from([7, 0x80]))),
        extension(OID.extKeyUsage, false, der.sequence(der.objectIdentifier(OID.serverAuth))),
        // Browsers match the host against these names only, never the common name.
        extension(OID.subjectAltName, false, der.sequence(der.implicitPrimitive(2, Buffer.from('localhost')), der.implicitPrimitive(7, Buffer.from([127, 0, 0, 1])))),
      ),
    ),
  );
  const signature = crypto.sign('sha256', tbs, { key: privateKey, dsaEncoding: 'der' });
  const certificate = der.sequence(tbs, signatureAlgorithm, der.bitString(signature));
  return {
    cert: pem('CERTIFICATE', certificate),
    key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    fingerprint256: new crypto.X509Certificate(certificate).fingerprint256,
    notBefore,
    notAfter,
  };
}

function pem(label: string, body: Buffer): string {
  const lines = body.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}
