"""Keep the stored next free slots and the availability versions in step with every change.

A booking, cancel, reschedule or status change (an Appointment saved or deleted), a slot hold placed
or released, working hours,
time off, a slot length, a doctor's main location and a location opening or closing each recompute
the doctors' NextFreeSlot rows in the same transaction (appointments.nextfree) and bump their
availability versions (clinic.versions) now and on commit. Bulk queryset writes send no signals:
code that uses them calls `availability_changed` itself.
"""

from django.db.models import Q
from django.db.models.signals import post_delete, post_save

from appointments import nextfree
from appointments.models import Appointment, DoctorSchedule, SlotHold, TimeOff, WorkingHours
from clinic import versions
from doctors.models import Doctor, Location


def availability_changed(doctor_ids) -> None:
    """Recompute the stored next free slots of these doctors (primary keys) and bump their versions."""
    doctor_ids = {pk for pk in doctor_ids if pk is not None}
    if not doctor_ids:
        return
    nextfree.changed(doctor_ids)
    versions.bump_availability(doctor_ids)


def _doctor_row_changed(sender, instance, raw=False, origin=None, **kwargs):
    # Rows deleted along with their doctor (or location) leave nothing to recompute.
    if not raw and not isinstance(origin, Doctor | Location):
        availability_changed([instance.doctor_id])


def _doctor_changed(sender, instance, raw=False, **kwargs):
    # A new doctor gets a row at once (without slots until their hours come), so lists never find one missing.
    if not raw:
        availability_changed([instance.pk])


def _location_changed(sender, instance, created=False, raw=False, **kwargs):
    if raw or created:
        return
    ids = Doctor.objects.filter(Q(location=instance) | Q(working_hours__location=instance)).values_list(
        "pk", flat=True
    )
    availability_changed(set(ids))


def connect() -> None:
    """Connect the receivers (called once from AppointmentsConfig.ready)."""
    # A slot hold (issue 15) takes its time from everyone else while it lasts, and gives it back when
    # released or swept: both move what the picker, the cards and the JSON show.
    for model in (Appointment, WorkingHours, TimeOff, DoctorSchedule, SlotHold):
        post_save.connect(_doctor_row_changed, sender=model, dispatch_uid=f"avail-save-{model.__name__}")
        post_delete.connect(_doctor_row_changed, sender=model, dispatch_uid=f"avail-delete-{model.__name__}")
    post_save.connect(_doctor_changed, sender=Doctor, dispatch_uid="avail-save-Doctor")
    post_save.connect(_location_changed, sender=Location, dispatch_uid="avail-save-Location")
