"""What `check-config` prints, and which keys a reload changed."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from pydantic import BaseModel

from bot.config.defaults import DEFAULT_CATEGORY_KEYS
from bot.config.schema import Config


def _minutes(total: int) -> str:
    hours, minutes = divmod(total, 60)
    if not hours:
        return f"{minutes} min"
    return f"{hours} h" if not minutes else f"{hours} h {minutes} min"


def _ids(values: Sequence[int]) -> str:
    return ", ".join(str(value) for value in values) if values else "none"


def summary(config: Config) -> str:
    """A human-readable overview of a configuration (for `check-config`); never the token."""
    organizations = Counter(reporter.organization for reporter in config.reporters)
    by_organization = ", ".join(f"{org}: {count}" for org, count in sorted(organizations.items()))
    moderation = config.moderation
    lines = [
        f"Configuration: {config.source_path or '(not from a file)'}",
        f"Moderator group: {moderation.chat_id}",
        "Escalation chat: "
        + ("none" if moderation.escalation_chat_id is None else str(moderation.escalation_chat_id)),
        f"Moderators ({len(moderation.moderators)}): {_ids(moderation.moderators)}",
        f"On duty ({len(moderation.on_duty)}): {_ids(moderation.on_duty)}",
        f"Admins ({len(config.admins)}): {_ids(config.admins)}",
        f"Reporters: {len(config.reporters)}"
        + (f" ({by_organization})" if by_organization else ""),
        f"Language: {config.language}",
        f"Time zone: {config.timezone}",
        f"Storage: {config.storage.path}",
        f"Bot API: {config.telegram.api_base_url}",
        "Token in the file: "
        + ("yes (BOT_TOKEN in the environment wins)" if config.telegram.token else "no"),
        f"Drafts expire after: {config.intake.draft_ttl_hours:g} h; they take at most "
        f"{config.intake.max_draft_items} items",
        f"Reports per reporter per hour: at most {config.intake.max_reports_per_hour}",
        f"Evidence copied by itself per case: {config.intake.evidence_auto} messages",
        f"Retention (days): raw updates {config.retention.raw_updates_days:g}, sent messages "
        f"{config.retention.sent_messages_days:g}, decided cases' content "
        f"{config.retention.decided_content_days:g}",
        "Backups: "
        + (
            f"every {config.backup.every_hours:g} h into {config.backup.dir}, "
            f"keeping {config.backup.keep}"
            if config.backup
            else "none scheduled"
        ),
        "Monitoring: " + (config.monitoring.listen if config.monitoring else "off"),
        f"Categories by urgency ({len(config.categories)}):",
    ]
    width = max(len(key) for key in config.categories)
    for key, category in config.categories_by_urgency():
        targets = category.targets
        lines.append(
            f"  P{category.priority}  {key:<{width}}  first action "
            f"{_minutes(targets.first_action_min)}, decision {_minutes(targets.decision_min)}; "
            f"{category.labels['en']} | {category.labels['id']}; "
            f"reasons: {len(category.reasons.take_down)} take-down, "
            f"{len(category.reasons.dismiss)} dismiss"
        )
    switched_off = [key for key in DEFAULT_CATEGORY_KEYS if key not in config.categories]
    if switched_off:
        lines.append(f"Default categories switched off: {', '.join(switched_off)}")
    return "\n".join(lines)


def changed_keys(old: Config, new: Config) -> list[str]:
    """Dotted paths whose values differ: `section.key` for sections, `categories.<key>` for
    categories, the key itself for top-level values. Compare with RESTART_KEYS."""
    changed: list[str] = []
    for name in Config.model_fields:
        if name == "source_path":
            continue
        before, after = getattr(old, name), getattr(new, name)
        if before == after:
            continue
        if isinstance(before, BaseModel) and isinstance(after, BaseModel):
            for field in type(before).model_fields:
                if getattr(before, field) != getattr(after, field):
                    changed.append(f"{name}.{field}")
        elif name == "categories":
            keys = list(before) + [key for key in after if key not in before]
            changed.extend(f"categories.{key}" for key in keys if before.get(key) != after.get(key))
        else:
            changed.append(name)
    return changed
