-- Every host listens on contact_staff. When a member's role, provider, skills, state, account or password changes
-- (from the desktop, a command or plain SQL), each host regroups that member's desktop connections or closes them.
create function notify_staff_changed() returns trigger language plpgsql as $$
begin
    perform pg_notify('contact_staff', case when tg_op = 'DELETE' then old.user_name else new.user_name end);
    return null;
end
$$;

create trigger staff_changed after update on staff_users for each row
    when ((old.role, old.provider_id, old.lines, old.languages, old.state, old.active, old.security_stamp)
          is distinct from (new.role, new.provider_id, new.lines, new.languages, new.state, new.active, new.security_stamp))
    execute function notify_staff_changed();

create trigger staff_removed after delete on staff_users for each row execute function notify_staff_changed();
