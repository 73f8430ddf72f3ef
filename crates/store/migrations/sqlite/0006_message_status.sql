-- The console's Logs page filters messages by status; without this index a rare
-- status would scan an account's every message to fill one page.
CREATE INDEX messages_by_status ON messages (account_sid, status, date_created, sid);
