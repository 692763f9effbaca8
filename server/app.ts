import { serveStatic } from "@hono/node-server/serve-static"
import { Hono } from "hono"
import { onError, onNotFound } from "./http/errors.ts"
import { enrollmentRoutes, groupRoutes, type EnrollmentRouteDependencies } from "./enrollment/routes.ts"
import { artifactRoutes } from "./routes/artifacts.ts"
import { c2paRoutes } from "./routes/c2pa.ts"
import { anchorRoutes, verifyRoutes, type AnchorRouteDependencies, type VerifyRouteDependencies } from "./routes/anchors.ts"
import { healthRoutes, type HealthDependencies } from "./routes/health.ts"
import { pollRoutes, type PollRouteDependencies } from "./routes/polls.ts"
import { governorRoutes, type GovernorRouteDependencies } from "./voting/governor-routes.ts"

export interface AppDependencies extends HealthDependencies {
  /** Folder of the built site (`site/dist`), served at `/`. Omitted in API-only tests. */
  siteDir?: string | undefined
  anchors: AnchorRouteDependencies & VerifyRouteDependencies
  enrollment: EnrollmentRouteDependencies
  polls: PollRouteDependencies
  governor: GovernorRouteDependencies
  /** PEM certificates whose C2PA signers count as Trusted. */
  c2paTrustAnchorsPem?: string | undefined
}

/** Builds the HTTP app from its dependencies; `npm start` and the tests build the same app. */
export function createApp(deps: AppDependencies) {
  const app = new Hono()
    .onError(onError)
    .notFound(onNotFound)
    .route("/health", healthRoutes(deps))
    .route("/artifacts", artifactRoutes())
    .route("/v1/anchors", anchorRoutes(deps.anchors))
    .route("/v1/verify", verifyRoutes(deps.anchors))
    .route("/v1/c2pa", c2paRoutes({ trustAnchorsPem: deps.c2paTrustAnchorsPem }))
    .route("/v1/enrollments", enrollmentRoutes(deps.enrollment))
    .route("/v1/groups", groupRoutes(deps.enrollment))
    .route("/v1/polls", pollRoutes(deps.polls))
    .route("/v1/governor", governorRoutes(deps.governor))
  if (deps.siteDir) {
    // One static page serves every poll: it reads the id from the address.
    app.get("/polls/:id{[0-9]+}", (c) => c.redirect(`/polls/${c.req.param("id")}/`, 301))
    app.get("/polls/:id{[0-9]+}/", serveStatic({ root: deps.siteDir, path: "polls/poll/index.html" }))
    app.use("/*", serveStatic({ root: deps.siteDir }))
  }
  return app
}

export type AppType = ReturnType<typeof createApp>
