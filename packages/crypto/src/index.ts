/**
 * ENLETS end-to-end encryption: MLS (RFC 9420) through ts-mls behind a thin interface, device credentials,
 * identity keys, key packages, attachments and recovery. Isomorphic: runs unchanged in Node 20 and the browser.
 */
export * from './credential.js';
export * from './provider.js';
export { SecretBytes, SecretDestroyedError, REDACTED } from './secret.js';
export {
  IdentityKeyPair,
  verifyIdentitySignature,
  IDENTITY_PUBLIC_KEY_BYTES,
  IDENTITY_PRIVATE_KEY_BYTES,
} from './identity.js';
export {
  checkDeviceListUpdate,
  decodeDeviceList,
  deviceListSigningInput,
  encodeDeviceList,
  findListedDevice,
  findRetiredDevice,
  listsDeviceKey,
  nextDeviceList,
  signDeviceList,
  verifyDeviceList,
  DeviceListFormatError,
  DEVICE_LIST_VERSION,
  MAX_DEVICE_LIST_BYTES,
  MAX_DEVICES,
  type DeviceList,
  type DeviceListChange,
  type DeviceListEntry,
  type DeviceListRefusal,
  type DeviceListVerdict,
  type SignedDeviceList,
} from './device-list.js';
export {
  authenticateLeaf,
  createAuthenticationService,
  type AuthenticationFailure,
  type AuthenticationOptions,
  type AuthenticationRule,
  type LeafVerdict,
  type TrustedUser,
  type TrustLookup,
} from './authentication.js';
export {
  MemoryTrustStorage,
  TrustStore,
  type DeviceListObservation,
  type IdentityObservation,
  type TrustDirectory,
  type TrustRecord,
  type TrustStorage,
} from './trust-store.js';
export {
  exportLocalKeyPackage,
  generateKeyPackage,
  importLocalKeyPackage,
  readKeyPackage,
  KeyPackageFormatError,
  KEY_PACKAGE_LIFETIME_SECONDS,
  LAST_RESORT_EXTENSION_TYPE,
  type DeviceSigningKeys,
  type KeyPackageInfo,
  type LocalKeyPackage,
} from './key-packages.js';
export { DEFAULT_MLS_SUITE, MLS_SUITES, isMlsSuiteName, mlsSuiteById, type MlsSuiteName } from './suites.js';
export type { MlsMember } from './members.js';
export {
  MlsRefusedError,
  MlsStateError,
  SavedGroupFormatError,
  joinSavedGroupParts,
  type CommitApplied,
  type SavedGroupParts,
  type CommitBundle,
  type MemberSelector,
  type MlsGroup,
  type ProcessResult,
} from './group.js';
export {
  createMlsDevice,
  restoreMlsDevice,
  SavedDeviceFormatError,
  type MlsDevice,
  type PendingExternalJoin,
} from './device.js';
export {
  compareScannedSafetyNumber,
  safetyNumber,
  type SafetyNumber,
  type SafetyNumberParty,
  type ScanResult,
} from './safety-number.js';
export { peekMlsEpoch } from './peek.js';
export {
  AttachmentDecryptionError,
  AttachmentKey,
  AttachmentKeyFormatError,
  ATTACHMENT_CHUNK_BYTES,
  decryptAttachment,
  encryptAttachment,
  type AttachmentExpectations,
  type ByteReader,
  type ByteReadResult,
  type ByteSource,
  type ByteStream,
  type EncryptedAttachment,
} from './attachments.js';
export {
  checkRecoveryPassphrase,
  createRecoveryBackup,
  generateArchiveKey,
  generateRecoveryCode,
  normalizeRecoveryPassphrase,
  openArchiveEntry,
  openRecoveryBackup,
  readRecoveryBackupHeader,
  sealArchiveEntry,
  RecoveryFormatError,
  WrongPassphraseError,
  ARCHIVE_KEY_BYTES,
  MAX_ARCHIVE_CONTENT_BYTES,
  MAX_ARCHIVE_ENTRY_BYTES,
  MAX_RECOVERY_BACKUP_BYTES,
  MIN_RECOVERY_PASSPHRASE_CHARS,
  RECOVERY_KDF_DEFAULT,
  RECOVERY_KDF_MAX,
  RECOVERY_KDF_MIN,
  RECOVERY_SALT_BYTES,
  type ArchiveEntry,
  type PassphraseVerdict,
  type RecoveredKeys,
  type RecoveryBackupHeader,
  type RecoveryKdfParams,
} from './recovery.js';
