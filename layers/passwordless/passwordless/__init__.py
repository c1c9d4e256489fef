"""Passwordless email sign-in for Amazon Cognito: the rules shared by every trigger.

Importing this package must stay cheap: define_auth_challenge imports it without boto3.
"""
