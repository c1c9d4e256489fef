"""The laptop kit: run the real trigger handlers on one machine, with AWS embedded (moto) and mail in
a local outbox. No AWS account, no Docker."""
