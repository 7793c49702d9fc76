# tutor-contrib-cultural-safety: import the course that the installed XBlock ships, in the CMS.
# The course is checked and copied under the configured key into a fresh folder (the installed
# package is never changed); Studio's importer updates a course that already has this key.
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
course="$(python -m cultural_safety_xblock.course_copy __COURSE_KEY__ "$work")"
echo "Importing the cultural safety course as __COURSE_KEY__ (a course already there is updated)"
python ./manage.py cms import "$work" "$(basename "$course")"

# Learners' completion is recorded only while this switch is on. Tutor's LMS init turns it on;
# here it is created if missing, and left as it is if an operator set it either way.
if python ./manage.py cms waffle_switch --list | grep -q '^completion.enable_completion_tracking:'; then
    echo "Completion tracking: the switch completion.enable_completion_tracking is left as set"
else
    python ./manage.py cms waffle_switch completion.enable_completion_tracking on --create
fi
