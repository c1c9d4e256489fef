// A whole session with the AWS SDK for JavaScript v3 in Node, as a server-side or CLI app runs it
// against the endpoint: sign in by the emailed code, refresh both ways, sign out, refresh refused.
// Usage: node sdk_v3_session.mjs '{"endpoint": ..., "region": ..., "clientId": ..., "email": ...}'
// Prints one JSON summary; test_sdk_v3.py checks it. Exits 1 if a step threw (the summary says which).
import {
  InitiateAuthCommand,
  RespondToAuthChallengeCommand,
} from "@aws-sdk/client-cognito-identity-provider";

import {
  emailedCode,
  refreshed,
  revokedThenRefused,
  runSession,
  sdkClient,
  tokens,
} from "./session_support.mjs";

const { endpoint, region, clientId, email } = JSON.parse(process.argv[2]);
const idp = sdkClient({ region, endpoint });

await runSession(async (run) => {
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
  const code = await run("code", () => emailedCode(endpoint, email));
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
  const refresh = await refreshed(run, idp, "getTokensFromRefreshToken", clientId, signedIn.refreshToken);
  // With rotation on, the refresh answers a new refresh token and the old one stops working.
  const refreshToken = refresh.refreshToken ?? signedIn.refreshToken;
  await refreshed(run, idp, "refreshTokenAuth", clientId, refreshToken);
  await revokedThenRefused(run, idp, clientId, refreshToken, [
    "getTokensFromRefreshToken",
    "refreshTokenAuth",
  ]);
});
