// A password-mode session as an existing app runs it with amazon-cognito-identity-js in Node: the
// password proven by the library's own SRP (CUSTOM_AUTH with SRP_A, then PASSWORD_VERIFIER), then the
// emailed code as the custom challenge's answer; the library's own refresh; then the AWS SDK for
// JavaScript v3 refreshes, revokes the refresh token, and is refused a refresh with it. A wrong
// password goes first, so that the outbox shows it sent nothing.
// Usage: node identity_js_password_session.mjs '{"endpoint": ..., "region": ..., "userPoolId": ...,
//   "clientId": ..., "email": ..., "password": ..., "wrongPassword": ...}'
// Prints one JSON summary; test_identity_js.py checks it. Exits 1 if a step failed (the summary says which).
import {
  AuthenticationDetails,
  CognitoRefreshToken,
  CognitoUser,
  CognitoUserPool,
} from "amazon-cognito-identity-js";

import {
  emailedCode,
  mailTo,
  refreshed,
  revokedThenRefused,
  runSession,
  sdkClient,
} from "./session_support.mjs";

const { endpoint, region, userPoolId, clientId, email, password, wrongPassword } = JSON.parse(
  process.argv[2],
);
// `endpoint` is all that points the library at the stack instead of cognito-idp.<region>.
const pool = new CognitoUserPool({ UserPoolId: userPoolId, ClientId: clientId, endpoint });
const idp = sdkClient({ region, endpoint });

// The library sends every call with the global fetch (Node's own; its isomorphic-unfetch keeps it);
// the SDK uses node:http, so what is seen here is the library's wire traffic alone. Each call is
// kept as its shape: which keys, whether it carried the Session the previous answer gave.
const requests = [];
const nodeFetch = globalThis.fetch;
let lastSession = null;
globalThis.fetch = async (url, options = {}) => {
  const target = new Headers(options.headers).get("x-amz-target");
  const response = await nodeFetch(url, options);
  if (target) {
    const body = JSON.parse(options.body);
    const answer = await response.clone().json().catch(() => ({}));
    const parameters = body.AuthParameters ?? body.ChallengeResponses ?? {};
    requests.push({
      operation: target.split(".").pop(),
      contentType: new Headers(options.headers).get("content-type"),
      status: response.status,
      authFlow: body.AuthFlow ?? null,
      challengeName: body.ChallengeName ?? null,
      keys: Object.keys(parameters).sort(),
      // Not the secrets (SRP_A, the signature, the code): the values an app's backend may log.
      values: Object.fromEntries(
        ["USERNAME", "CHALLENGE_NAME", "TIMESTAMP", "DEVICE_KEY"]
          .filter((key) => key in parameters)
          .map((key) => [key, parameters[key]]),
      ),
      session: !body.Session ? "none" : body.Session === lastSession ? "previous answer's" : "other",
      clientMetadata: body.ClientMetadata ?? null,
      answered: response.ok ? (answer.ChallengeName ?? "tokens") : answer.__type,
    });
    lastSession = answer.Session ?? null;
  }
  return response;
};

// The library sets no timeout: a stalled call would hold the script until the test's own timeout.
const TIMEOUT_MS = 15_000;
function outcome(start) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer in ${TIMEOUT_MS} ms`)), TIMEOUT_MS);
    const settle = (name) => (value) => {
      clearTimeout(timer);
      resolve({ outcome: name, value });
    };
    // Every callback authenticateUser can call, so that an unexpected step is reported, not thrown.
    start({
      onSuccess: settle("tokens"),
      onFailure: settle("refused"),
      customChallenge: settle("customChallenge"),
      newPasswordRequired: settle("newPasswordRequired"),
      mfaRequired: settle("mfaRequired"),
      totpRequired: settle("totpRequired"),
      selectMFAType: settle("selectMFAType"),
      mfaSetup: settle("mfaSetup"),
    });
  });
}

function expected(result, name) {
  if (result.outcome !== name) {
    const detail = result.outcome === "refused" ? `${result.value.name}: ${result.value.message}` : "";
    throw new Error(`expected ${name}, got ${result.outcome} ${detail}`.trim());
  }
  return result.value;
}

function signInAs(login, secret) {
  const user = new CognitoUser({ Username: login, Pool: pool });
  // CUSTOM_AUTH with a password: the library sends SRP_A inside it, then answers PASSWORD_VERIFIER.
  user.setAuthenticationFlowType("CUSTOM_AUTH");
  const details = new AuthenticationDetails({ Username: login, Password: secret });
  return { user, asked: outcome((callbacks) => user.authenticateUser(details, callbacks)) };
}

const libraryTokens = (session) => ({
  accessToken: session.getAccessToken().getJwtToken(),
  idToken: session.getIdToken().getJwtToken(),
  refreshToken: session.getRefreshToken().getToken(),
});

// The library's requests go into the summary when its part of the session is over, or when a step
// fails, so that the test shows how far the library got.
const reportRequests = (summary) => {
  summary.identityJsRequests = requests;
};

await runSession(
  async (run, summary) => {
    await run("wrongPassword", async () => {
      const error = expected(await signInAs(email, wrongPassword).asked, "refused");
      const mailsAfter = (await mailTo(endpoint, email)).length;
      return { error: error.name, message: error.message, mailsAfter };
    });
    const signIn = signInAs(email, password);
    await run("customChallenge", async () => expected(await signIn.asked, "customChallenge"));
    const code = await run("code", () => emailedCode(endpoint, email));
    const signedIn = await run("sendCustomChallengeAnswer", async () =>
      libraryTokens(
        expected(
          await outcome((callbacks) => signIn.user.sendCustomChallengeAnswer(code, callbacks)),
          "tokens",
        ),
      ),
    );
    // What the library's getSession does once the access token has expired: REFRESH_TOKEN_AUTH.
    await run("refreshSession", async () =>
      libraryTokens(
        await new Promise((resolve, reject) =>
          signIn.user.refreshSession(
            new CognitoRefreshToken({ RefreshToken: signedIn.refreshToken }),
            (error, session) => (error ? reject(error) : resolve(session)),
          ),
        ),
      ),
    );
    reportRequests(summary);
    const refresh = await refreshed(run, idp, "getTokensFromRefreshToken", clientId, signedIn.refreshToken);
    // With rotation on, the refresh answers a new refresh token and the old one stops working.
    const refreshToken = refresh.refreshToken ?? signedIn.refreshToken;
    await revokedThenRefused(run, idp, clientId, refreshToken, ["getTokensFromRefreshToken"]);
  },
  { whenFailed: reportRequests },
);
