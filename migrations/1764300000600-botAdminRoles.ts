import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Roles inside a tenant: `bot_admins.role` ('owner' | 'admin' | 'support'). `is_owner` stays and always equals
 * `role = 'owner'`: a trigger derives one from the other, so writers that only know `is_owner` (onboarding, the
 * master bot's registry) keep working — an insert without a role becomes 'owner' or 'admin' from `is_owner`, an
 * update that flips only `is_owner` moves the role with it. Which admin is the owner follows
 * `bots.owner_telegram_id` (kept by the writers, not an index: the master bot's registry moves the flag row by row).
 * `audit_logs.actor_role` keeps the role a bot admin acted with.
 */
export class BotAdminRoles1764300000600 implements MigrationInterface {
  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE bot_admins ADD COLUMN role varchar(10)`);
    await q.query(`UPDATE bot_admins SET role = CASE WHEN is_owner THEN 'owner' ELSE 'admin' END`);
    await q.query(`ALTER TABLE bot_admins ALTER COLUMN role SET NOT NULL`);
    await q.query(
      `ALTER TABLE bot_admins ADD CONSTRAINT bot_admins_role_check CHECK (role IN ('owner', 'admin', 'support'))`,
    );
    await q.query(
      `ALTER TABLE bot_admins ADD CONSTRAINT bot_admins_owner_matches_role CHECK (is_owner = (role = 'owner'))`,
    );
    await q.query(`CREATE FUNCTION botfleet_bot_admin_role() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'INSERT' THEN
          IF NEW.role IS NULL THEN
            NEW.role := CASE WHEN NEW.is_owner THEN 'owner' ELSE 'admin' END;
          END IF;
        ELSIF NEW.role IS NOT DISTINCT FROM OLD.role AND NEW.is_owner IS DISTINCT FROM OLD.is_owner THEN
          NEW.role := CASE WHEN NEW.is_owner THEN 'owner'
                           WHEN OLD.role = 'owner' THEN 'admin'
                           ELSE OLD.role END;
        END IF;
        NEW.is_owner := (NEW.role = 'owner');
        RETURN NEW;
      END $$`);
    await q.query(`CREATE TRIGGER bot_admins_role BEFORE INSERT OR UPDATE ON bot_admins
      FOR EACH ROW EXECUTE FUNCTION botfleet_bot_admin_role()`);
    await q.query(`ALTER TABLE audit_logs ADD COLUMN actor_role varchar(10)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE audit_logs DROP COLUMN actor_role`);
    await q.query(`DROP TRIGGER bot_admins_role ON bot_admins`);
    await q.query(`DROP FUNCTION botfleet_bot_admin_role()`);
    await q.query(`ALTER TABLE bot_admins DROP CONSTRAINT bot_admins_owner_matches_role`);
    await q.query(`ALTER TABLE bot_admins DROP CONSTRAINT bot_admins_role_check`);
    await q.query(`ALTER TABLE bot_admins DROP COLUMN role`);
  }
}
