"""Passkeys (WebAuthn) in CUSTOM_AUTH, so they run on Cognito's Lite tier and in the local stack.

A second app client carries passkey sign-ins: Cognito passes InitiateAuth's ClientMetadata to none of
the challenge triggers, but `callerContext.clientId` reaches all of them, and the web client's email
contract (InitiateAuth emails at once) stays exactly as it was.

    account API  POST /passkeys/sign-in-options   a challenge, stored as its SHA-256, single use
    browser      navigator.credentials.get         an assertion; its user handle is the username
    Cognito      InitiateAuth (passkey client)     create: no email, the user's credential ids
                 RespondToAuthChallenge(assertion) verify: the challenge spent, the signature, the
                                                   sign count moved on by one conditional write

Verification is py_webauthn's (`ceremonies`); nothing here parses CBOR or COSE.
"""
