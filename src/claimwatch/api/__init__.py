"""The claims API and its page: look back at stored claims by place, actor, source or watch."""
