"""The campaign's terms as sessions_app.campaign_texts words them, for templates:
``{% load campaign_texts %}``, then ``{% payment_text campaign "rule" %}`` or
``{% makeup_routes agency=True %}``."""

from django import template

from sessions_app import campaign_texts

register = template.Library()

register.simple_tag(campaign_texts.fee_amount)
register.simple_tag(campaign_texts.fee_includes)
register.simple_tag(campaign_texts.payment_text)
register.simple_tag(campaign_texts.makeup_routes)
register.simple_tag(campaign_texts.fetch_before)
