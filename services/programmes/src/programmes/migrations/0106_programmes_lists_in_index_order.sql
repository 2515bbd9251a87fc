-- Lists walk an index in their order and stop after a page (kernel.pages, ADR 36), each index ending with the
-- unique key that breaks ties, as the lists' orders do: a site's groups by start date and its sessions by start
-- time (staff's lists are always of their sites), the referrals by date of referral (their site is the
-- person's now, in another table: no index leads with it). The catalogue is too small to need one.
CREATE INDEX groups_in_list_order ON groups (establishment, start_date, group_id);
CREATE INDEX group_sessions_in_list_order ON group_sessions (establishment, lower(during), room, session_id);
CREATE INDEX referrals_in_list_order ON referrals (referred_on, referral_id);
