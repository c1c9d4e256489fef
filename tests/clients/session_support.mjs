// What the Node client sessions share (sdk_v3_session.mjs, identity_js_password_session.mjs): the AWS
// SDK for JavaScript v3 client pointed at the stack, the emailed code, the SDK's refreshes and tokens,
// sign-out and the refusals after it, and the step runner that prints the JSON summary the Python
// tests check.
import {
  CognitoIdentityProviderClient,
  GetTokensFromRefreshTokenCommand,
  InitiateAuthCommand,
  RevokeTokenCommand,
} from "@aws-sdk/client-cognito-identity-provider";

export function sdkClient({ region, endpoint }) {
  return new CognitoIdentityProviderClient({
    region,
    endpoint,
    // These operations go unsigned; credentials are there so that nothing looks for real ones.
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
    // A refusal must reach the summary as it was answered, not after the SDK's retries.
    maxAttempts: 1,
  });
}

// The local stack's outbox stands in for the person's mailbox.
export async function mailTo(endpoint, to) {
  const outbox = new URL("local/outbox", endpoint);
  const response = await fetch(outbox, { headers: { Accept: "application/json" } });
  return (await response.json()).filter((mail) => mail.to === to);
}

export async function emailedCode(endpoint, to) {
  const [newest] = (await mailTo(endpoint, to)).slice(-1);
  return newest?.text.match(/\b(\d{6,10})\b/)?.[1];
}

// The error's name if the stack refuses the command, null if it answers.
export async function refusal(idp, command) {
  try {
    await idp.send(command);
    return null;
  } catch (error) {
    return error.name;
  }
}

export const tokens = ({ AuthenticationResult: result }) => ({
  accessToken: result.AccessToken,
  idToken: result.IdToken,
  refreshToken: result.RefreshToken ?? null,
});

// The SDK's two ways to refresh, each named as its step in the summary.
export const refreshCommands = {
  getTokensFromRefreshToken: (clientId, refreshToken) =>
    new GetTokensFromRefreshTokenCommand({ ClientId: clientId, RefreshToken: refreshToken }),
  refreshTokenAuth: (clientId, refreshToken) =>
    new InitiateAuthCommand({
      AuthFlow: "REFRESH_TOKEN_AUTH",
      ClientId: clientId,
      AuthParameters: { REFRESH_TOKEN: refreshToken },
    }),
};

// The step `way` (a key of refreshCommands): the tokens that refresh answers.
export function refreshed(run, idp, way, clientId, refreshToken) {
  return run(way, async () => tokens(await idp.send(refreshCommands[way](clientId, refreshToken))));
}

// Sign-out (the step revokeToken), then the step afterRevoke: each of `ways` tried with the revoked
// refresh token, and what the stack refused it with.
export async function revokedThenRefused(run, idp, clientId, refreshToken, ways) {
  await run("revokeToken", async () => {
    await idp.send(new RevokeTokenCommand({ ClientId: clientId, Token: refreshToken }));
    return { revoked: refreshToken };
  });
  await run("afterRevoke", async () => {
    const refused = {};
    for (const way of ways) {
      refused[way] = await refusal(idp, refreshCommands[way](clientId, refreshToken));
    }
    return refused;
  });
}

// Runs `session(run, summary)`, where each `await run(name, action)` records the action's result in
// the summary under `name` and returns it. If a step throws, the summary's `failed` names it,
// `whenFailed(summary)` may add what explains it, and the exit code is 1. Prints the summary as JSON.
export async function runSession(session, { whenFailed = () => {} } = {}) {
  const summary = {};
  let step = "";
  async function run(name, action) {
    step = name;
    summary[name] = await action();
    return summary[name];
  }
  try {
    await session(run, summary);
  } catch (error) {
    summary.failed = { step, error: error.name, message: error.message };
    whenFailed(summary);
    process.exitCode = 1;
  }
  console.log(JSON.stringify(summary));
}
