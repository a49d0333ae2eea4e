"""Training service: competency-development catalogue, recommendations, enrolment and the 20 JP obligation."""
