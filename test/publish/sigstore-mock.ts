/**
 * @sigstore/mock's Fulcio and Rekor handlers mounted on a real HTTP server on 127.0.0.1, plus the
 * trusted root (CA, Rekor and CT log keys) that verifies what they issue, and a fake OIDC token.
 */
import { createHash, generateKeyPairSync } from 'node:crypto';
import { fulcioHandler, initializeCA, initializeCTLog, initializeTLog, rekorHandler } from '@sigstore/mock';
import { readBody, serve, type TestServer } from './helpers.js';

export const ISSUER = 'https://oidc.example.test';

const ecKeyPair = () => generateKeyPairSync('ec', { namedCurve: 'P-256' });
const b64 = (b: ArrayBufferView | ArrayBuffer): string =>
  (b instanceof ArrayBuffer ? Buffer.from(b) : Buffer.from(b.buffer, b.byteOffset, b.byteLength)).toString('base64');

export interface SigstoreMock extends TestServer { trustedRoot: unknown; requests: string[] }

export async function startSigstoreMock(): Promise<SigstoreMock> {
  const ctlog = await initializeCTLog(ecKeyPair());
  const ca = await initializeCA(ecKeyPair(), ctlog);
  const requests: string[] = [];
  // Rekor's log needs the server's URL, so it is created once the server listens.
  const logs: { tlog?: Awaited<ReturnType<typeof initializeTLog>> } = {};
  const server = await serve(async (req, res) => {
    const body = (await readBody(req)).toString();
    requests.push(`${req.method ?? ''} ${req.url ?? ''}`);
    const handler = req.url === '/api/v2/signingCert' ? fulcioHandler(ca, { subjectClaim: 'email' }) : req.url === '/api/v1/log/entries' && logs.tlog ? rekorHandler(logs.tlog) : undefined;
    if (!handler || req.method !== 'POST') { res.statusCode = 404; res.end(); return; }
    const r = await handler.fn(body);
    res.writeHead(r.statusCode, { 'content-type': r.contentType ?? 'text/plain' });
    res.end(typeof r.response === 'string' ? r.response : Buffer.from(r.response.buffer, r.response.byteOffset, r.response.byteLength));
  });
  const tlog = await initializeTLog(server.url, ecKeyPair());
  logs.tlog = tlog;
  const start = '2000-01-01T00:00:00Z';
  const trustedRoot = {
    mediaType: 'application/vnd.dev.sigstore.trustedroot+json;version=0.1',
    tlogs: [{ baseUrl: server.url, hashAlgorithm: 'SHA2_256', publicKey: { rawBytes: b64(tlog.publicKey), keyDetails: 'PKIX_ECDSA_P256_SHA_256', validFor: { start } }, logId: { keyId: createHash('sha256').update(tlog.publicKey).digest('base64') } }],
    certificateAuthorities: [{ subject: { organization: 'mock', commonName: 'mock' }, uri: server.url, certChain: { certificates: [{ rawBytes: b64(ca.rootCertificate) }] }, validFor: { start } }],
    ctlogs: [{ baseUrl: server.url, hashAlgorithm: 'SHA2_256', publicKey: { rawBytes: b64(ctlog.publicKey), keyDetails: 'PKIX_ECDSA_P256_SHA_256', validFor: { start } }, logId: { keyId: b64(ctlog.logID) } }],
    timestampAuthorities: [],
  };
  return Object.assign(server, { trustedRoot, requests });
}

/** An unsigned JWT with the claims Fulcio reads (the mock does not check signatures). */
export function fakeIdToken(email: string): string {
  const part = (o: object): string => Buffer.from(JSON.stringify(o)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  return `${part({ alg: 'none', typ: 'JWT' })}.${part({ iss: ISSUER, sub: email, email, email_verified: true, aud: 'sigstore', iat: now, exp: now + 600 })}.c2lnbmF0dXJl`;
}
