"""The sign-in page: static HTML, script and stylesheet that talk to Cognito's JSON API directly.

One set of files serves a deployed stack (behind an HTTP API) and the laptop's local Cognito stand-in;
only the PageConfig differs.
"""
