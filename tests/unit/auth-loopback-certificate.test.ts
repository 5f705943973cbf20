import crypto from 'node:crypto';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { createLoopbackCertificate } from '../../src/auth/loopback-certificate.js';
import * as der from '../../src/auth/der.js';

const NOW = Date.parse('2026-11-20T12:00:00Z');

describe('the certificate made for an https loopback login', () => {
  const made = createLoopbackCertificate({ now: NOW, lifetimeMs: 15 * 60_000 });
  const x509 = new crypto.X509Certificate(made.cert);

  it('is for 127.0.0.1 and localhost only, self-signed, not a CA, for TLS servers', () => {
    expect(x509.subjectAltName).toBe('DNS:localhost, IP Address:127.0.0.1');
    expect(x509.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(x509.checkHost('localhost')).toBe('localhost');
    expect(x509.checkHost('example.com')).toBeUndefined();
    expect(x509.verify(x509.publicKey)).toBe(true);
    expect(x509.issuer).toBe(x509.subject);
    expect(x509.ca).toBe(false);
    expect(x509.keyUsage).toEqual(['1.3.6.1.5.5.7.3.1']);
    expect(x509.publicKey.asymmetricKeyDetails).toEqual({ namedCurve: 'prime256v1' });
  });

  it('is fresh: valid from a few minutes before the login until shortly after it could end', () => {
    expect(Date.parse(x509.validFrom)).toBe(NOW - 5 * 60_000);
    expect(Date.parse(x509.validTo)).toBe(NOW + 15 * 60_000);
    expect(made.notBefore).toBe(NOW - 5 * 60_000);
    expect(made.fingerprint256).toBe(x509.fingerprint256);
  });

  it('has a new key and serial number every time, and its key matches the certificate', () => {
    const other = createLoopbackCertificate({ now: NOW, lifetimeMs: 60_000 });
    expect(other.key).not.toBe(made.key);
    expect(new crypto.X509Certificate(other.cert).serialNumber).not.toBe(x509.serialNumber);
    expect(x509.checkPrivateKey(crypto.createPrivateKey(made.key))).toBe(true);
    expect(made.cert).not.toContain('PRIVATE');
  });

  it('a TLS client that trusts exactly this certificate accepts it for 127.0.0.1 and localhost', async () => {
    const fresh = createLoopbackCertificate({ now: Date.now(), lifetimeMs: 60_000 });
    const server = https.createServer({ cert: fresh.cert, key: fresh.key }, (_req, res) => res.end('ok'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    try {
      for (const servername of [undefined, 'localhost']) {
        const body = await new Promise<string>((resolve, reject) => {
          https
            .get({ host: '127.0.0.1', port, ca: fresh.cert, agent: false, ...(servername ? { servername } : {}) }, (res) => {
              let text = '';
              res.on('data', (d: Buffer) => (text += d.toString()));
              res.on('end', () => resolve(text));
            })
            .on('error', reject);
        });
        expect(body).toBe('ok');
      }
    } finally {
      server.close();
    }
  });
});

describe('DER encoding', () => {
  it('lengths over 127 bytes take the long form', () => {
    expect(der.octetString(Buffer.alloc(200)).subarray(0, 3)).toEqual(Buffer.from([0x04, 0x81, 200]));
    expect(der.octetString(Buffer.alloc(300)).subarray(0, 4)).toEqual(Buffer.from([0x04, 0x82, 0x01, 0x2c]));
  });
  it('object identifiers with arcs of several bytes', () => {
    // 1.2.840.10045.4.3.2 (ecdsa-with-SHA256), as every DER encoder writes it.
    expect(der.objectIdentifier('1.2.840.10045.4.3.2').toString('hex')).toBe('06082a8648ce3d040302');
  });
  it('integers stay positive and minimal', () => {
    expect(der.unsignedInteger(Buffer.from([0x80])).toString('hex')).toBe('02020080');
    expect(der.unsignedInteger(Buffer.from([0, 0, 5])).toString('hex')).toBe('020105');
  });
  it('UTCTime before 2050, GeneralizedTime from 2050', () => {
    expect(der.time(Date.parse('2026-11-20T12:34:56.789Z')).toString('latin1')).toBe('\x17\x0d261120123456Z');
    expect(der.time(Date.parse('2050-01-01T00:00:00Z')).toString('latin1')).toBe('\x18\x0f20500101000000Z');
  });
});
