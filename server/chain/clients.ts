import { createPublicClient, createWalletClient, defineChain, http, type Account, type Chain, type PublicClient, type Transport, type WalletClient } from "viem"
import { privateKeyToAccount } from "viem/accounts"
import { HumanmarkError, redactUrl } from "../../sdk/errors.ts"

export interface ChainClients {
  chain: Chain
  publicClient: PublicClient<Transport, Chain>
  /** Present when a private key was configured (deployer / relayer account). */
  walletClient: WalletClient<Transport, Chain, Account> | undefined
}

export interface ConnectChainParameters {
  rpcUrl: string
  privateKey?: `0x${string}` | undefined
}

/** Connects to an EVM node, learns its chain id, and builds viem clients bound to that chain. */
export async function connectChain({ rpcUrl, privateKey }: ConnectChainParameters): Promise<ChainClients> {
  const transport = http(rpcUrl, { retryCount: 2, timeout: 15_000 })
  let chainId: number
  try {
    chainId = await createPublicClient({ transport }).getChainId()
  } catch (cause) {
    throw new HumanmarkError("chain_unreachable", `The EVM node at ${redactUrl(rpcUrl)} did not answer.`, {
      details: "Check RPC_URL, or unset it to run the embedded local node.",
      status: 503,
      cause,
    })
  }
  const chain = defineChain({
    id: chainId,
    name: `eip155:${chainId}`,
    nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
    rpcUrls: { default: { http: [rpcUrl] } },
  })
  const publicClient = createPublicClient({ chain, transport, pollingInterval: 250 })
  const walletClient = privateKey
    ? createWalletClient({ chain, transport, account: privateKeyToAccount(privateKey) })
    : undefined
  return { chain, publicClient, walletClient }
}

/** A wallet client for another account on the same chain (e.g. a worker that must not share nonces). */
export function walletClientFor(clients: ChainClients, privateKey: `0x${string}`): WalletClient<Transport, Chain, Account> {
  const rpcUrl = clients.chain.rpcUrls.default.http[0]!
  return createWalletClient({ chain: clients.chain, transport: http(rpcUrl, { retryCount: 2, timeout: 15_000 }), account: privateKeyToAccount(privateKey) })
}
