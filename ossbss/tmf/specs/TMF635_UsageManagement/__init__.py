"""Official TM Forum TMF635 Open API specification (Apache-2.0); see SOURCE.md."""
