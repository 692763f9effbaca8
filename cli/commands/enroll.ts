import { readFile, stat } from "node:fs/promises"
import { createHumanmarkClient } from "../../sdk/client.ts"
import {
  enroll,
  enrollmentToJson,
  enrollWithDevAttester,
  requestChallenge,
  waitForEnrollment,
  type Enrollment,
} from "../../sdk/enrollment/client.ts"
import { HumanmarkError } from "../../sdk/errors.ts"
import { webauthnChallengeFor } from "../../server/enrollment/attestation/webauthn-challenge.ts"
import { parseCommandLine, serverUrlFrom, UsageError, type CliCommand } from "../command.ts"
import { readIdentityFile } from "./identity.ts"

/** The server refuses bodies over 64 KB; an attestation file larger than that is not one. */
const ATTESTATION_FILE_MAX_BYTES = 64 * 1024

export const enrollCommand: CliCommand = {
  name: "enroll",
  usage: "enroll --identity FILE [--person NAME] [--recover] [--wait] [--server URL]",
  summary: "Enroll an identity in the server's personhood group (dev attester, or a device's attestation).",
  help: [
    "Usage: humanmark enroll --identity FILE [--person NAME] [--recover] [--wait] [--timeout SECONDS] [--server URL]",
    "       humanmark enroll --identity FILE --challenge [--server URL]",
    "       humanmark enroll --identity FILE --attestation FILE --format FORMAT --nonce NONCE [--recover] [--wait] ...",
    "",
    "Enrolls the identity's commitment (never its secret) and prints the enrollment status as JSON.",
    "With --wait it waits until the commitment is in the on-chain group (progress on stderr).",
    "",
    "By default the attestation comes from the server's dev attester: a software stand-in for a",
    "personhood device that signs anything for anyone. It is INSECURE and runs only on a server with",
    "its embedded local chain; it is the only attester this command can drive. A real device (a",
    "personhood kiosk, a WebAuthn authenticator) produces its own attestation: ask for a challenge",
    "with --challenge, let the device answer it, then submit the result with --attestation.",
    "",
    "Options:",
    "  --identity FILE     identity file from `humanmark identity create`",
    "  --person NAME       dev attester: who the person is; the same name is the same person, so a",
    "                      second identity under it is refused (default: a new person per identity)",
    "  --recover           replace this person's enrolled commitment (a lost identity); needs the same",
    "                      --person as the first enrollment, or the device's attestation",
    "  --challenge         only ask for a challenge; prints the nonce (and the WebAuthn challenge)",
    "  --attestation FILE  an attestation a device produced: base64url text (device-statement) or JSON",
    "                      (the WebAuthn registration response)",
    "  --format FORMAT     with --attestation: device-statement or webauthn",
    "  --nonce NONCE       with --attestation: the nonce of the challenge the device answered",
    "  --wait              wait until the commitment is in the on-chain group",
    "  --timeout SECONDS   how long --wait waits (default 300)",
    "  --server URL        humanmark server (default: $HUMANMARK_SERVER or http://127.0.0.1:8787)",
  ].join("\n"),
  async run(argv, io) {
    const { values } = parseCommandLine(argv, {
      identity: { type: "string" },
      person: { type: "string" },
      recover: { type: "boolean" },
      challenge: { type: "boolean" },
      attestation: { type: "string" },
      format: { type: "string" },
      nonce: { type: "string" },
      wait: { type: "boolean" },
      timeout: { type: "string" },
      server: { type: "string" },
    })
    if (values.identity === undefined) throw new UsageError("Give the identity to enroll with --identity FILE.")
    const timeoutSeconds = values.timeout === undefined ? 300 : Number(values.timeout)
    if (!Number.isFinite(timeoutSeconds) || timeoutSeconds <= 0) throw new UsageError("--timeout takes a positive number of seconds.")
    if (values.timeout !== undefined && !values.wait) throw new UsageError("--timeout goes with --wait.")
    const fromDevice = values.attestation !== undefined || values.format !== undefined || values.nonce !== undefined
    if (fromDevice && (values.attestation === undefined || values.format === undefined || values.nonce === undefined)) {
      throw new UsageError("--attestation, --format and --nonce go together: the file, its format and the challenge it answers.")
    }
    if (fromDevice && values.person !== undefined) throw new UsageError("--person is for the dev attester; a device's attestation names its own person.")
    if (values.challenge && (fromDevice || values.recover || values.wait || values.person !== undefined)) {
      throw new UsageError("--challenge only asks for a challenge; it takes --identity and --server alone.")
    }
    if (values.recover && !fromDevice && values.person === undefined) {
      throw new UsageError("--recover needs --person: the same person the lost identity was enrolled as.")
    }

    const { identity } = await readIdentityFile(values.identity, io)
    const client = createHumanmarkClient({ serverUrl: serverUrlFrom(values.server, io.env), timeoutMs: 60_000 })
    const commitment = identity.commitment

    if (values.challenge) {
      const { nonce, expiresAt } = await requestChallenge(client, commitment)
      io.out(
        JSON.stringify(
          { commitment: commitment.toString(), nonce, expiresAt: expiresAt.toISOString(), webauthnChallenge: webauthnChallengeFor(commitment, nonce) },
          null,
          2,
        ),
      )
      return 0
    }

    const recover = values.recover === true ? { recover: true } : {}
    let enrollment: Enrollment = fromDevice
      ? await enroll(client, { identity, format: values.format!, attestation: await readAttestationFile(values.attestation!), nonce: values.nonce!, ...recover })
      : await enrollWithDevAttester(client, { identity, person: values.person ?? `identity ${commitment}`, ...recover })

    if (values.wait && enrollment.status !== "in_group") {
      let lastStatus = ""
      enrollment = await waitForEnrollment(client, {
        commitment,
        timeoutMs: timeoutSeconds * 1000,
        intervalMs: 500,
        onProgress: (current) => {
          if (current.status !== lastStatus) io.err(`waiting: the enrollment is ${current.status.replace("_", " ")}`)
          lastStatus = current.status
        },
      })
    }
    io.out(JSON.stringify(enrollmentToJson(enrollment), null, 2))
    return 0
  },
}

/** JSON when the file parses as JSON (a WebAuthn registration response), its trimmed text otherwise. */
async function readAttestationFile(path: string): Promise<unknown> {
  let text: string
  try {
    const info = await stat(path)
    if (!info.isFile() || info.size > ATTESTATION_FILE_MAX_BYTES) {
      throw new HumanmarkError("file_unreadable", `${path} is not an attestation file (not a file, or over ${ATTESTATION_FILE_MAX_BYTES} bytes).`)
    }
    text = await readFile(path, "utf8")
  } catch (cause) {
    if (cause instanceof HumanmarkError) throw cause
    const code = (cause as NodeJS.ErrnoException).code
    throw new HumanmarkError("file_unreadable", `Could not read the attestation file ${path}${code ? ` (${code})` : ""}.`, { cause })
  }
  try {
    return JSON.parse(text) as unknown
  } catch {
    return text.trim()
  }
}
