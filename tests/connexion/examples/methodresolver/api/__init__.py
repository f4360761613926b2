from .petsview import PetsView as PetsView
