"""Template tags of the web app's own templates (registered by name in settings.TEMPLATES: charts, navigation,
numbers), as carelens.web is a project, not an installed app."""
