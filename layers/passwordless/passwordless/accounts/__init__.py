"""The account API's domain: self sign-up, invitations and email change, behind functions/account_api."""
