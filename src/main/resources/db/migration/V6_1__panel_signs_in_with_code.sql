-- The admin panel signs in through the hosted page (authorization code + PKCE) now: its client no longer
-- takes passwords. Scripts use tessera-cli (V6) for the password grant.
update clients set grant_types = array_remove(grant_types, 'password') where client_id = 'tessera-admin';
