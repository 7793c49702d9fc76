__version__ = "0.1.0"

# The XBlock release the openedx image installs unless CULTURAL_SAFETY_XBLOCK_SOURCE or
# CULTURAL_SAFETY_XBLOCK_WHEEL says otherwise: the version in the XBlock's setup.py.
XBLOCK_VERSION = "0.1.0"
