"""Official TM Forum TMF629 Open API specification (Apache-2.0); see SOURCE.md."""
