"""The kernel's side of the central registry: push bundles, push live records, pull the team's policy.

http.py         the requests session: bearer token, retries with backoff, errors a user can act on
push.py         `aigov push` / `%aigov push`: one bundle uploaded
live.py         records pushed as the gateway writes them, spooled while the registry is down
policy_pull.py  the team's policy by ETag, cached for when the registry is down
link.py         what governance starts and stops: the pulled policy and the live pusher
"""
