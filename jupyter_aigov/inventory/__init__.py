"""The local inventory: model registrations, assessments, and the framework catalogues they answer."""
