# Indicator frameworks, cycles and reviews arrive with the assessments issue.
