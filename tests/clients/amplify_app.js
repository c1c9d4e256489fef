// The sign-in calls a web app makes with Amplify v6, on window.app for test_amplify_v6.py to drive
// with page.evaluate. Bundled by `make` (esbuild) into dist/amplify-app.js.
import { Amplify } from "aws-amplify";
import { confirmSignIn, fetchAuthSession, signIn, signOut } from "aws-amplify/auth";

// Amplify sets no timeout on its requests: a stalled call would hold page.evaluate (and the test)
// forever instead of failing it.
const TIMEOUT_MS = 15_000;

// page.evaluate can hand back only plain JSON, and Amplify throws AuthError instances: each call
// answers its result, or {error, message} with the service's error name.
async function plain(call) {
  let timer;
  const timeout = new Promise((_, reject) => {
    const error = Object.assign(new Error(`no answer in ${TIMEOUT_MS} ms`), { name: "Timeout" });
    timer = setTimeout(() => reject(error), TIMEOUT_MS);
  });
  try {
    return await Promise.race([call(), timeout]);
  } catch (error) {
    return { error: error.name, message: error.message };
  } finally {
    clearTimeout(timer);
  }
}

// additionalInfo is the custom challenge's parameters (USERNAME, email, codeLength).
function step({ isSignedIn, nextStep }) {
  const { signInStep, additionalInfo = null } = nextStep;
  return { isSignedIn, nextStep: { signInStep, additionalInfo } };
}

async function session(options) {
  const { tokens, userSub } = await fetchAuthSession(options);
  return {
    userSub: userSub ?? null,
    accessToken: tokens?.accessToken?.toString() ?? null,
    idToken: tokens?.idToken?.toString() ?? null,
  };
}

window.app = {
  // userPoolEndpoint sends every Cognito call to the local stack instead of cognito-idp.<region>
  // (Amplify reads the region off the pool id's prefix; it signs none of these calls).
  configure: async ({ userPoolId, userPoolClientId, userPoolEndpoint }) => {
    Amplify.configure({ Auth: { Cognito: { userPoolId, userPoolClientId, userPoolEndpoint } } });
    return { configured: true };
  },
  signIn: (email) =>
    plain(async () =>
      step(await signIn({ username: email, options: { authFlowType: "CUSTOM_WITHOUT_SRP" } })),
    ),
  // Password mode: SRP proves the password, then the pool's custom challenge asks for the emailed code.
  signInWithPassword: (email, password) =>
    plain(async () =>
      step(await signIn({ username: email, password, options: { authFlowType: "CUSTOM_WITH_SRP" } })),
    ),
  confirm: (answer) => plain(async () => step(await confirmSignIn({ challengeResponse: answer }))),
  refresh: () => plain(() => session({ forceRefresh: true })),
  currentSession: () => plain(() => session()),
  signOut: () =>
    plain(async () => {
      await signOut();
      return { signedOut: true };
    }),
};
