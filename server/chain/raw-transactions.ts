// Helpers for workers that sign a transaction, record it durably, and only then broadcast it, so that
// a restart can look the same transaction up or send exactly the same bytes again.
import { BaseError, NonceTooLowError, TransactionNotFoundError, TransactionReceiptNotFoundError, type Chain, type Hex, type PublicClient, type Transport } from "viem"

type Client = PublicClient<Transport, Chain>

/** The receipt of a mined transaction, or undefined while it is not mined (or unknown). */
export function findReceipt(publicClient: Client, hash: Hex) {
  return publicClient.getTransactionReceipt({ hash }).catch((error: unknown) => {
    if (error instanceof TransactionReceiptNotFoundError) return undefined
    throw error
  })
}

/** Whether the node knows the transaction at all (mined or in its mempool). */
export function isTransactionKnown(publicClient: Client, hash: Hex): Promise<boolean> {
  return publicClient.getTransaction({ hash }).then(
    () => true,
    (error: unknown) => {
      if (error instanceof TransactionNotFoundError) return false
      throw error
    },
  )
}

/**
 * Broadcasts a signed transaction. True when the node has it (a re-broadcast after a restart counts);
 * false when its nonce was taken meanwhile by another transaction of the same account, so the caller
 * must sign again.
 */
export async function broadcastRawTransaction(publicClient: Client, raw: Hex): Promise<boolean> {
  try {
    await publicClient.sendRawTransaction({ serializedTransaction: raw })
    return true
  } catch (error) {
    if (error instanceof BaseError && error.walk((cause) => cause instanceof NonceTooLowError)) return false
    const message = String((error as Error).message)
    if (/already (known|imported)|known transaction/i.test(message)) return true
    if (/nonce too low|replacement transaction underpriced/i.test(message)) return false
    throw error
  }
}
