"""The official TM Forum Open API specifications Layer8 validates against, one folder per API."""
