"""Standard formats: the knowledge base and outcomes as FHIR R4 resources and CDS Hooks cards, and FHIR
QuestionnaireResponses read back as answers. Pure functions: values in, dicts (JSON-ready) out; cli.py does
the reading and printing (docs/fhir.md)."""
