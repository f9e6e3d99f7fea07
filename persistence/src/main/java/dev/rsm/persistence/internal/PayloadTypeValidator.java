package dev.rsm.persistence.internal;

import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.cfg.MapperConfig;
import com.fasterxml.jackson.databind.jsontype.PolymorphicTypeValidator;
import com.fasterxml.jackson.databind.module.SimpleModule;

/**
 * INTERNAL API. Decides which classes Jackson may resolve from a class-name type id (the {@link
 * Payload} fields, and any {@code @JsonTypeInfo(use = CLASS)} a user declares): those {@link
 * AllowedClasses} allows, by name, before the class is loaded. Until the ActorSystem's {@link
 * AllowedClasses} binds it, it refuses every name. Name ids ({@code Id.NAME}) are not class names
 * and do not come here.
 */
public final class PayloadTypeValidator extends PolymorphicTypeValidator.Base {
  private static final long serialVersionUID = 1L;

  private transient volatile AllowedClasses allowed;

  void bind(AllowedClasses allowed) {
    this.allowed = allowed;
  }

  @Override
  public Validity validateBaseType(MapperConfig<?> config, JavaType baseType) {
    return Validity.INDETERMINATE; // ALLOWED would make Jackson skip the check of subtypes
  }

  @Override
  public Validity validateSubClassName(MapperConfig<?> config, JavaType baseType, String name)
      throws JsonMappingException {
    AllowedClasses a = allowed;
    if (a != null && a.allows(name)) return Validity.ALLOWED;
    throw JsonMappingException.from((com.fasterxml.jackson.core.JsonParser) null, "a value "
        + (a == null ? "of class " + name + " is not allowed: no machine types are registered on this node yet"
            : a.refusal(name)));
  }

  @Override
  public Validity validateSubType(MapperConfig<?> config, JavaType baseType, JavaType subType) {
    return Validity.DENIED; // only reached for names not allowed above
  }

  /**
   * Installs a {@link PayloadTypeValidator} on each object mapper Pekko creates; listed in {@code
   * pekko.serialization.jackson.jackson-modules} by this module's {@code reference.conf}, so that
   * the validator is in place before the mapper reads its first message.
   */
  public static final class Module extends SimpleModule {
    private static final long serialVersionUID = 1L;

    public Module() {
      super("rsm-payload-types");
    }

    @Override
    public void setupModule(SetupContext context) {
      super.setupModule(context);
      if (context.getOwner() instanceof com.fasterxml.jackson.databind.ObjectMapper m)
        m.setPolymorphicTypeValidator(new PayloadTypeValidator());
    }
  }
}
