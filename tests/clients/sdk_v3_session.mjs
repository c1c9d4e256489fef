// A whole session with the AWS SDK for JavaScript v3 in Node, as a server-side or CLI app runs it
// against the endpoint: sign in by the emailed code, refresh both ways, sign out, refresh refused.
// Usage: node sdk_v3_session.mjs '{"endpoint": ..., "region": ..., "clientId": ..., "email": ...}'
// Prints one JSON summary; test_sdk_v3.py checks it. Exits 1 if a step threw (the summary says which).
import {
  CognitoIdentityProviderClient,
  GetTokensFromRefreshTokenCommand,
  InitiateAuthCommand,
  RespondToAuthChallengeCommand,
  RevokeTokenCommand,
} from "@aws-sdk/client-cognito-identity-provider";

const { endpoint, region, clientId, email } = JSON.parse(process.argv[2]);
const idp = new CognitoIdentityProviderClient({
  region,
  endpoint,
  // These operations go unsigned; credentials are there so that nothing looks for real ones.
  credentials: { accessKeyId: "local", secretAccessKey: "local" },
  // A refusal must reach the summary as it was answered, not after the SDK's retries.
  maxAttempts: 1,
});

// The local stack's outbox stands in for the person's mailbox.
async function emailedCode(to) {
  const outbox = new URL("local/outbox", endpoint);
  const response = await fetch(outbox, { headers: { Accept: "application/json" } });
  const [newest] = (await response.json()).filter((mail) => mail.to === to).slice(-1);
  return newest?.text.match(/\b(\d{6,10})\b/)?.[1];
}

async function refusal(command) {
  try {
    await idp.send(command);
    return null;
  } catch (error) {
    return error.name;
  }
}

const tokens = ({ AuthenticationResult: result }) => ({
  accessToken: result.AccessToken,
  idToken: result.IdToken,
  refreshToken: result.RefreshToken ?? null,
});

const summary = {};
let step = "";
async function run(name, action) {
  step = name;
  summary[name] = await action();
  return summary[name];
}

try {
  const challenge = await run("initiateAuth", async () => {
    const reply = await idp.send(
      new InitiateAuthCommand({
        AuthFlow: "CUSTOM_AUTH",
        ClientId: clientId,
        AuthParameters: { USERNAME: email },
      }),
    );
    return {
      challengeName: reply.ChallengeName,
      session: reply.Session,
      parameters: reply.ChallengeParameters,
    };
  });
  const code = await run("code", () => emailedCode(email));
  const signedIn = await run("respondToAuthChallenge", async () =>
    tokens(
      await idp.send(
        new RespondToAuthChallengeCommand({
          ChallengeName: challenge.challengeName,
          ClientId: clientId,
          Session: challenge.session,
          ChallengeResponses: { USERNAME: challenge.parameters.USERNAME, ANSWER: code },
        }),
      ),
    ),
  );
  const refreshed = await run("getTokensFromRefreshToken", async () =>
    tokens(
      await idp.send(
        new GetTokensFromRefreshTokenCommand({ ClientId: clientId, RefreshToken: signedIn.refreshToken }),
      ),
    ),
  );
  // With rotation on, the refresh answers a new refresh token and the old one stops working.
  const refreshToken = refreshed.refreshToken ?? signedIn.refreshToken;
  await run("refreshTokenAuth", async () =>
    tokens(
      await idp.send(
        new InitiateAuthCommand({
          AuthFlow: "REFRESH_TOKEN_AUTH",
          ClientId: clientId,
          AuthParameters: { REFRESH_TOKEN: refreshToken },
        }),
      ),
    ),
  );
  await run("revokeToken", async () => {
    await idp.send(new RevokeTokenCommand({ ClientId: clientId, Token: refreshToken }));
    return { revoked: refreshToken };
  });
  await run("afterRevoke", async () => ({
    getTokensFromRefreshToken: await refusal(
      new GetTokensFromRefreshTokenCommand({ ClientId: clientId, RefreshToken: refreshToken }),
    ),
    refreshTokenAuth: await refusal(
      new InitiateAuthCommand({
        AuthFlow: "REFRESH_TOKEN_AUTH",
        ClientId: clientId,
        AuthParameters: { REFRESH_TOKEN: refreshToken },
      }),
    ),
  }));
} catch (error) {
  summary.failed = { step, error: error.name, message: error.message };
  process.exitCode = 1;
}
console.log(JSON.stringify(summary));
