"""Access: who may do what to which case, and why (design §1.4, §2 roles).

The core ring's third part, pure: no database, no file, no clock. What an actor may
*record* is law (`habeas.law.competence`, from `competence.yaml`); what an actor may
*read* or otherwise *do* is the jurisdiction's access policy (`policy.yaml`, parsed by
`access.policy`), decided by `access.policy.decide` from the facts of a case that the log
gives (`access.facts`). Deny by default: an action no grant names is refused, with the
right that was missing as the reason.
"""
