// The identity this browser keeps (created on /enroll), shared by the pages that prove membership.
import { importIdentity, type IdentityBackup, type ImportIdentityReturnType } from "../../../sdk/enrollment/identity.ts"

const STORAGE_KEY = "humanmark.identity"

/** The stored identity, or undefined when there is none (or it is unreadable, which forgets it). */
export function loadStoredIdentity(): ImportIdentityReturnType | undefined {
  const saved = localStorage.getItem(STORAGE_KEY)
  if (!saved) return undefined
  try {
    return importIdentity(saved)
  } catch {
    localStorage.removeItem(STORAGE_KEY)
    return undefined
  }
}

/** Keeps `backup` in this browser's storage, or forgets the identity when undefined. */
export function storeIdentity(backup: IdentityBackup | undefined): void {
  if (backup) localStorage.setItem(STORAGE_KEY, JSON.stringify(backup))
  else localStorage.removeItem(STORAGE_KEY)
}
