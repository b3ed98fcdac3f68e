/**
 * libs/signing: the only importer of jose. Node keys (FileKeyStore), the federation's trusted
 * keys (TrustStore), signed envelopes between nodes and the signed receipts that answer them.
 */
export type { CryptoKey } from 'jose';
export type { PublicJwk, Ed25519PublicJwk, Sm2PublicJwk, SigningAlg, EncryptionPublicJwk } from './public-jwk.js';
export { SEAL_ALG, SIGNING_ALG, SM2_ALG, suiteOfAlg } from './public-jwk.js';
export type { SigningKey, Ed25519SigningKey, Sm2SigningKey, Signer } from './signing-key.js';
export { SM2_DEFAULT_USER_ID, Sm2PrivateKey, Sm2PublicKey, sm2Verify } from './sm2.js';
export { FileKeyStore, type KeyState, type KeyStatus, type FileKeyStoreOptions, type RotateOptions, type RotationStep } from './file-key-store.js';
export {
  TrustStore,
  type JwksFetch,
  type JwksSource,
  type JwksSourceStatus,
  type ResolvedKey,
  type SuitePolicy,
  type TrustRefreshOptions,
  type TrustedKey,
} from './trust-store.js';
export type { JwsHeader } from './compact-jws.js';
export {
  ENVELOPE_TYP,
  signEnvelope,
  verifyEnvelope,
  type EnvelopeClaims,
  type VerifiedEnvelope,
  type VerifyEnvelopeOptions,
} from './envelope.js';
export {
  RECEIPT_RESULTS,
  RECEIPT_TYP,
  signReceipt,
  verifyReceipt,
  type ReceiptClaims,
  type ReceiptResult,
  type VerifyReceiptOptions,
} from './receipt.js';
export { sha256Base64url } from './sha256.js';
export * from './federation.js';
export * from './hash-chain.js';
export {
  SEAL_ENC,
  SEALED_TYP,
  importSealingKey,
  openSealed,
  sealFor,
  type DecryptionKeyResolver,
  type SealingKey,
} from './sealed-data.js';
export { AgencyKeyStore, isAgencyCode, type AgencyEncryptionKey, type AgencyKeyStoreOptions } from './agency-key-store.js';
export { openPersonalDataSecret, personalDataHash } from './personal-data-hash.js';
export {
  FEDERATION_TYP,
  FederationAuthorityKeyStore,
  FederationAuthorityTrust,
  checkSignedFederation,
  recordAcceptedFederation,
  loadSignedFederation,
  signFederation,
  verifySignedFederation,
  type AcceptedFederation,
  type AuthorityKey,
  type AuthorityPublicKey,
  type Ed25519AuthorityKey,
  type VerifiedFederation,
} from './federation-signing.js';
export { signFederationFile, verifyFederationFile, type FederationSummary } from './federation-commands.js';
export * from './local-federation.js';
export {
  CHECKPOINT_TYP,
  COUNTERSIGNATURE_TYP,
  countersignCheckpoint,
  readCheckpointClaims,
  signCheckpoint,
  verifyCheckpoint,
  verifyCountersignature,
  type CheckpointClaims,
  type CountersignatureClaims,
  type VerifyCheckpointOptions,
  type VerifyCountersignatureOptions,
} from './log-checkpoint.js';
export * from './crypto-suite.js';
