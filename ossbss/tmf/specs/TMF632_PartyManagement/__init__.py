"""Official TM Forum TMF632 Open API specification (Apache-2.0); see SOURCE.md."""
