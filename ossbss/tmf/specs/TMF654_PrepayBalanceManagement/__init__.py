"""Official TM Forum TMF654 Open API specification (Apache-2.0); see SOURCE.md."""
