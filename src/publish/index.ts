/** The publishing API, listed explicitly. */
export { publishOutput } from './publish.js';
export type { CellReport, PublishDeps, PublishReport } from './publish.js';
export { resolvePublishConfig } from './config.js';
export type { PublishConfig, SignConfig, RegistryConfig, ReleaseConfig, Logger } from './types.js';
export { PublishError } from './errors.js';
export type { PublishErrorCode } from './errors.js';
export { Redactor, readSecret } from './secrets.js';
export { verifyFileSignature } from './sign/verify.js';
export type { TrustPolicy, VerifiedSignature } from './sign/verify.js';
export { loadPublicKey, loadTrustedRoot } from './sign/trust.js';
export { verifyWebhook, signWebhook, EVENT_HEADER, DELIVERY_HEADER, SIGNATURE_HEADER } from './webhook/signature.js';
export type { VerifyWebhookOptions, WebhookRejection } from './webhook/signature.js';
export type { WebhookPayload, WebhookArtifact } from './webhook/payload.js';
