"""Access: who may read what, and why (design §1.4, §3).

The core ring's third part. What an actor may *record* is law (`habeas.law.competence`,
from the jurisdiction's `competence.yaml`); what an actor may *read*, and the purpose a
read must give, is policy that lives here as the API and web UI arrive. Every read of a
case file is already logged by `habeas.services.queries`.
"""
