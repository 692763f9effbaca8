// Types for the parts of fido2-lib's shipped test helpers (npm fido2-lib@3.5.9, MIT) that
// webauthn-real-devices.test.ts reads from node_modules at test time. The package ships no types
// for these files; only what the tests use is declared.

declare module "fido2-lib/test/helpers/fido2-helpers.js" {
  /** A registration (navigator.credentials.create) result captured from an authenticator, as raw bytes. */
  export interface Fido2LibRegistration {
    rawId: ArrayBuffer
    response: { attestationObject: ArrayBuffer; clientDataJSON: ArrayBuffer }
  }

  export const lib: {
    makeCredentialAttestationNoneResponse: Fido2LibRegistration
    makeCredentialAttestationU2fResponse: Fido2LibRegistration
    makeCredentialAttestationHypersecuU2fResponse: Fido2LibRegistration
    makeCredentialAttestationPackedResponse: Fido2LibRegistration
    makeCredentialAttestationPackedResponseWindowsHello: Fido2LibRegistration
    makeCredentialAttestationTpmResponse: Fido2LibRegistration
    makeCredentialAttestationSafetyNetResponse: Fido2LibRegistration
  }

  export const certs: {
    /** DER of the YubiKey batch certificate of the fido-u2f sample. */
    yubiKeyAttestation: ArrayBuffer
    /** DER of the Yubico U2F Root CA Serial 457200631. */
    yubicoRoot: ArrayBuffer
    /** DER of the Feitian BioPass FIDO2 batch certificate of the packed sample. */
    feitianFido2: ArrayBuffer
    /** DER of the TPM attestation identity key certificate of the tpm sample. */
    tpmAttestation: ArrayBuffer
    /** Base64 DER of another Yubico batch certificate (no registration sample uses it). */
    certificateWithIntegerExtension: string
  }
}

declare module "fido2-lib/lib/attestations/u2fRootCerts.js" {
  /** Base64 DER (with line breaks) of the fido-u2f roots fido2-lib trusts: the Yubico U2F root. */
  export const u2fRootCerts: string[]
}
