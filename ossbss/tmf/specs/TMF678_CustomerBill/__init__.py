"""Official TM Forum TMF678 Open API specification (Apache-2.0); see SOURCE.md."""
