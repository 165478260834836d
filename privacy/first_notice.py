"""Version 1 of the privacy notice: the text the site shipped with as a template (templates/privacy.html
until issue 16), now content. The data migration and a database that lost its rows use it."""

from datetime import date

FIRST_SUMMARY = "The notice as published with the booking site."

FIRST_BODY = """\
{name} collects only what it needs to book and run your consultation: your name, mobile number, \
optional email address and, if you choose to tell us, the reason for your visit.

## How we use it

- To hold your appointment, remind you of it and contact you if it has to change.
- So that your doctor and our front desk can prepare for your visit.

## What we never do

- We do not use analytics, advertising trackers, web fonts or content from other companies on this \
site: what you read here stays between you and the clinic.
- We do not put your details in web addresses, except the private link to manage your own booking.
- We do not sell or share your details.

## Your choices

To see, correct or delete what we hold about you, write to {email} or call {phone}.
"""


def first_notice_fields(
    *, clinic_name: str, clinic_email: str, clinic_phone: str, effective_on: date
) -> dict:
    """The field values of version 1 (body_html included), with the clinic's identity filled in.

    The identity is written into the text rather than looked up when shown: a notice version is a
    fixed text, and a later change of phone number is a new version.
    """
    from articles.rendering import render_markdown

    body = FIRST_BODY.format(name=clinic_name, email=clinic_email, phone=clinic_phone)
    return {
        "version": 1,
        "effective_on": effective_on,
        "summary": FIRST_SUMMARY,
        "body": body,
        "body_html": render_markdown(body).html,
    }
